"""The xAPI domain: statement validation, normalisation, storage and query. No web framework."""
