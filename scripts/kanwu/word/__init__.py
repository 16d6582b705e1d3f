"""The bridges to Word: an issue out as the .docx the province's system takes (``export``), and a
Word document in as an item (``importer``)."""
