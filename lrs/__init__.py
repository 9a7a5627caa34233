"""The HTTP edge of the LRS: xAPI resources, credentials, version header, CORS."""
