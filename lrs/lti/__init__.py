"""The LTI 1.3 tool face: platform launches become statements through `statements.ingest`.

Empty until the tool is built; it is a face beside `lrs.xapi` and `hr_api`, and imports
neither.
"""
