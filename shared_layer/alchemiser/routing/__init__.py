"""EventRoutingFunction: domain events through one routing table, exactly once."""
