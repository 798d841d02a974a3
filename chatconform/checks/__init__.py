"""Check functions by feature; importing this package registers them all."""
