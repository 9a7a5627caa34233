"""The xAPI domain: the one ingest entry point (`ingest`), validation, normalisation, storage
and query of statements, documents, attachments and signatures, LRS credentials and scopes,
and the advisory locks writers share. No web framework."""
