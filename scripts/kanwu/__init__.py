"""kanwu (刊物): a docs-as-code publishing pipeline for an office's information periodicals.

The package follows the pipeline: load → validate → assemble → site / pdf → stats.
"""

__version__ = "0.1.0"
