"""Live data: new events delivered to subscribers as they are stored, across processes."""
