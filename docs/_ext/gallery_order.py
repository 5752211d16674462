"""The gallery's reading order: from a first training to the paper's figure to Gephi.

sphinx-gallery sorts the examples of a section with a key class named in
``within_subsection_order``; an example missing from :data:`READING_ORDER` fails the build,
so a new one has to be placed on purpose.
"""

READING_ORDER = (
    "plot_train_digits.py",
    "plot_compare_rules.py",
    "plot_paper_fig4.py",
    "plot_emergence.py",
    "plot_connectome_regimes.py",
    "plot_export_gephi.py",
)


class ReadingOrder:
    """Sort key: an example's place in :data:`READING_ORDER`."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> int:
        if filename not in READING_ORDER:
            raise ValueError(f"examples/{filename} is not in READING_ORDER of "
                             "docs/_ext/gallery_order.py: add it where it belongs")
        return READING_ORDER.index(filename)

    def __repr__(self) -> str:  # sphinx-gallery caches the config by its repr
        return f"<{type(self).__name__}>"
