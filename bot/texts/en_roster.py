"""English: the roster at scale (/lowquality's score time). Same keys as zh_roster.py."""

CATALOG: dict[str, str] = {
    "roster_lq_scored_at": "<i>Scores as of {at}</i>",
    "roster_lq_catching_up": (
        "<i>Some scores are over a day old and are being updated in the background;"
        " send /lowquality again in a while.</i>"
    ),
}
