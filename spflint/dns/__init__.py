"""DNS layer: the lookups SPF needs, from live DNS or offline zone data, all accounted."""
