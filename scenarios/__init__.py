"""What-if computation on a twin: land-use and heat-island scenarios (to come)."""
