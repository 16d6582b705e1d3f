"""The office's editing work: proposing and signing issues (assemble), the morning's status,
corrections, a new item's scaffold, the units' web form."""
