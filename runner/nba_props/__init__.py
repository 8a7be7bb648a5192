"""nba-props: the runner around the dbt feature store for NBA player-points props."""

__version__ = "0.1.0"
