"""Contract tests: requests and responses checked against the TrackTik OpenAPI files."""
