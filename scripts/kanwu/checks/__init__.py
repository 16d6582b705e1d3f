"""Rules over the whole repository (validate: the checked load every command starts from), review
routing (CODEOWNERS, git as the record of submission), and the machine check (doctor)."""
