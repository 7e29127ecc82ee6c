"""The read-only web views: pages, JSON API, Atom feeds and metrics (`monitor serve`)."""
