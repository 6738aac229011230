"""Default data every deployment needs and the demo township, above the services it calls."""
