"""The LMS API clients: one module per LMS, over one HTTP client (mapping.providers.http)
and one error tree (mapping.providers.errors)."""
