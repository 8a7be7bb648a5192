"""The raw contract: every kind of file `nba-props load` accepts, the raw table it fills and the row rules.

Raw tables keep every declared column as text (exactly as in the file) plus load metadata; typing happens in
staging. A file may carry extra columns (ignored) but must carry the required ones. Rules send a row to
raw.load_quarantine with a reason instead of the raw table; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ISO_DATE = ["%Y-%m-%d"]


@dataclass(frozen=True)
class SourceKind:
    name: str  # the CLI word: nba-props load <name> <path>
    table: str  # raw.<table>
    description: str
    patterns: tuple[str, ...]  # file-name globs matched by `load all`
    columns: tuple[str, ...]  # normalised column names kept in the raw table, in order
    required: tuple[str, ...]  # a file without these is the wrong file for this importer
    not_null: tuple[str, ...] = ()
    dates: dict[str, list[str]] = field(default_factory=dict)  # column -> accepted strptime formats
    timestamps: tuple[str, ...] = ()  # ISO-8601 timestamps (UTC when no zone)
    numbers: tuple[str, ...] = ()  # must be numeric when present
    teams: tuple[str, ...] = ()  # must name a known team (code, name, nickname; '@' prefix allowed)
    key: tuple[str, ...] = ()  # a second row with the same key is quarantined as a duplicate
    zip_member_suffix: str = ".csv"


BOX_SCORE_NUMBERS = ("min", "pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast",
                     "stl", "blk", "tov", "pf", "plus_minus")

KINDS: dict[str, SourceKind] = {
    k.name: k
    for k in [
        SourceKind(
            name="player_game_logs",
            table="player_game_logs",
            description="NBA.com LeagueGameLog player rows, one per player per regular-season game played",
            patterns=("player_logs_*.csv*",),
            columns=("season_id", "player_id", "player_name", "team_id", "team_abbreviation", "team_name",
                     "game_id", "game_date", "matchup", "wl", "min", "pts", "fgm", "fga", "fg_pct", "fg3m",
                     "fg3a", "fg3_pct", "ftm", "fta", "ft_pct", "oreb", "dreb", "reb", "ast", "stl", "blk",
                     "tov", "pf", "plus_minus", "season_label"),
            required=("player_id", "player_name", "team_abbreviation", "game_id", "game_date", "matchup",
                      "min", "pts"),
            not_null=("player_id", "player_name", "team_abbreviation", "game_id", "game_date", "matchup"),
            dates={"game_date": ISO_DATE},
            numbers=("player_id", "team_id", *BOX_SCORE_NUMBERS),
            teams=("team_abbreviation",),
            key=("game_id", "player_id"),
        ),
        SourceKind(
            name="playoff_player_boxes",
            table="playoff_player_boxes",
            description="Playoff player box scores with starter flag, usage, pace and team totals",
            patterns=("playoff_player_box_*.csv*",),
            columns=("row_index", "player_name", "player_id", "matchup", "team_abbreviation", "team_id",
                     "opp_abbreviation", "home_game", "game_id", "game_date", "wl", "min", "pts", "ast", "reb",
                     "fgm", "fga", "fg_pct", "fg3m", "fg3a", "fg3_pct", "ftm", "fta", "ft_pct", "oreb", "dreb",
                     "stl", "blk", "tov", "pf", "plus_minus", "start_position", "comment", "usg_pct", "ts_pct",
                     "pace", "poss", "team_game_date", "team_min", "team_fga", "team_fta", "team_tov",
                     "team_pts", "team_off_rating", "team_pace", "opp_team_id", "opp_def_rating"),
            required=("player_id", "player_name", "team_abbreviation", "opp_abbreviation", "game_id",
                      "game_date", "min", "pts", "start_position"),
            not_null=("player_id", "player_name", "team_abbreviation", "game_id", "game_date"),
            dates={"game_date": ISO_DATE},
            numbers=("player_id", "team_id", *BOX_SCORE_NUMBERS, "usg_pct", "pace", "poss"),
            teams=("team_abbreviation", "opp_abbreviation"),
            key=("game_id", "player_id"),
        ),
        SourceKind(
            name="shots",
            table="shots",
            description="NBA.com shot detail, one row per field-goal attempt (zip or csv)",
            patterns=("*[_-]Shots.csv*", "*[_-]shots.csv*", "*[_-]Shots.zip", "*[_-]shots.zip", "shots*.csv*", "shots*.zip"),
            columns=("season_1", "season_2", "team_id", "team_name", "player_id", "player_name", "position",
                     "game_date", "game_id", "home_team", "away_team", "event_type", "shot_made", "action_type",
                     "shot_type", "basic_zone", "zone_name", "zone_range", "shot_distance", "quarter",
                     "mins_left", "secs_left", "shot_count"),
            required=("player_id", "game_id", "game_date", "shot_made", "shot_type", "basic_zone"),
            not_null=("player_id", "game_id", "game_date", "basic_zone"),
            dates={"game_date": ["%m-%d-%Y", "%Y-%m-%d"]},
            numbers=("player_id", "team_id", "shot_distance", "shot_count"),
        ),
        SourceKind(
            name="schedule",
            table="schedule_games",
            description="League schedule: one row per game with season type and full team names",
            patterns=("nba_schedule_*.csv*", "schedule*.csv*"),
            columns=("season", "game_date", "season_type", "away_team", "home_team", "matchup"),
            required=("season", "game_date", "season_type", "away_team", "home_team"),
            not_null=("game_date", "away_team", "home_team"),
            dates={"game_date": ISO_DATE},
            teams=("away_team", "home_team"),
            key=("game_date", "away_team", "home_team"),
        ),
        SourceKind(
            name="team_game_logs",
            table="team_game_logs",
            description="Team box scores, one row per game with home and road side by side",
            patterns=("team_game_logs_*.csv*",),
            columns=("game_id", "game_date", "season", "game_type", "neutral_site", "team_id_home",
                     "team_abbreviation_home", "team_name_home", "team_id_road", "team_abbreviation_road",
                     "team_name_road", "pts_home", "pts_road", "wl_home",
                     *(f"{stat}_{side}" for side in ("home", "road")
                       for stat in ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast",
                                    "stl", "blk", "tov", "pf"))),
            required=("game_id", "game_date", "game_type", "team_abbreviation_home", "team_abbreviation_road",
                      "pts_home", "pts_road"),
            not_null=("game_id", "game_date", "team_abbreviation_home", "team_abbreviation_road"),
            dates={"game_date": ISO_DATE},
            numbers=("pts_home", "pts_road", "fga_home", "fga_road", "fta_home", "fta_road", "oreb_home",
                     "oreb_road", "tov_home", "tov_road"),
            teams=("team_abbreviation_home", "team_abbreviation_road"),
            key=("game_id",),
        ),
        SourceKind(
            name="team_possessions",
            table="team_box_score_advanced",
            description="Minutes and possessions per side of each game (for pace and ratings)",
            patterns=("box_score_advanced_*.csv*",),
            columns=("game_id", "game_date", "season", "team_id_home", "team_abbreviation_home", "minutes_home",
                     "possessions_home", "team_id_road", "team_abbreviation_road", "minutes_road",
                     "possessions_road"),
            required=("game_id", "game_date", "team_abbreviation_home", "team_abbreviation_road",
                      "possessions_home", "possessions_road"),
            not_null=("game_id", "game_date"),
            dates={"game_date": ISO_DATE},
            numbers=("minutes_home", "possessions_home", "minutes_road", "possessions_road"),
            teams=("team_abbreviation_home", "team_abbreviation_road"),
            key=("game_id",),
        ),
        SourceKind(
            name="injury_status",
            table="injury_status_snapshots",
            description="About hourly injury-report snapshots: team, player, status",
            patterns=("injury_status_snapshots_*.csv*",),
            columns=("snapshot_utc", "snapshot_date_et", "source_commit", "team", "player_name", "status",
                     "update_text", "details"),
            required=("snapshot_utc", "team", "player_name", "status"),
            not_null=("snapshot_utc", "player_name", "status"),
            timestamps=("snapshot_utc",),
            teams=("team",),
        ),
        SourceKind(
            name="injury_moves",
            table="injury_list_moves",
            description="Injury-list transactions (placed on / activated from)",
            patterns=("injury_list_moves_*.csv*",),
            columns=("date", "team", "acquired", "relinquished", "notes"),
            required=("date", "team", "acquired", "relinquished"),
            not_null=("date", "team"),
            dates={"date": ISO_DATE},
            teams=("team",),
        ),
        SourceKind(
            name="rotowire_props",
            table="rotowire_prop_snapshots",
            description="Rotowire prop table snapshots (about hourly), one row per player, prop, side, book",
            patterns=("rotowire_props_*.csv*",),
            columns=("snapshot_utc", "snapshot_date_et", "source_commit", "player_name", "opp", "prop", "side",
                     "book", "line", "price_american", "raw_cell"),
            required=("snapshot_utc", "player_name", "opp", "prop", "side", "book", "line", "price_american"),
            not_null=("snapshot_utc", "player_name", "prop", "side", "book"),
            timestamps=("snapshot_utc",),
            dates={"snapshot_date_et": ISO_DATE},
            numbers=("line", "price_american"),
            teams=("opp",),
        ),
        SourceKind(
            name="oddsapi_props",
            table="oddsapi_player_props",
            description="The Odds API v4 player-prop export, one pull a day, alternates included",
            patterns=("oddsapi_player_props_*.csv*",),
            columns=("source_file", "event_id", "commence_time", "home_team", "away_team", "bookmaker_key",
                     "bookmaker_title", "market_key", "market_last_update", "side", "player_name",
                     "price_american", "line"),
            required=("event_id", "commence_time", "home_team", "away_team", "bookmaker_key", "market_key",
                      "market_last_update", "side", "player_name", "line"),
            not_null=("event_id", "commence_time", "bookmaker_key", "market_key", "player_name", "side"),
            timestamps=("commence_time", "market_last_update"),
            numbers=("price_american", "line"),
            teams=("home_team", "away_team"),
        ),
        SourceKind(
            name="multibook_props",
            table="multibook_props",
            description="Multibook props scrape (2024-25); game_date is the scrape date, not the game date",
            patterns=("props_multibook_*.csv*",),
            columns=("game_date", "book", "game", "player_name_lower", "market", "line", "over_american",
                     "under_american", "raw"),
            required=("game_date", "book", "game", "player_name_lower", "market", "line", "over_american",
                      "under_american"),
            not_null=("game_date", "book", "game", "player_name_lower", "market"),
            dates={"game_date": ISO_DATE},
            numbers=("line", "over_american", "under_american"),
        ),
        SourceKind(
            name="closing_game_lines",
            table="closing_game_lines",
            description="Closing spread and total per game, with final scores (ESPN team codes)",
            patterns=("closing_game_lines_*.csv*",),
            columns=("season", "date", "regular", "playoffs", "away", "home", "score_away", "score_home",
                     "whos_favored", "spread", "total", "moneyline_away", "moneyline_home"),
            required=("date", "away", "home", "whos_favored", "spread", "total"),
            not_null=("date", "away", "home"),
            dates={"date": ISO_DATE},
            numbers=("score_away", "score_home", "spread", "total", "moneyline_away", "moneyline_home"),
            teams=("away", "home"),
            key=("date", "away", "home"),
        ),
        SourceKind(
            name="multibook_game_lines",
            table="multibook_game_lines",
            description="Multibook game markets (moneyline, spread, totals); game_date is the scrape date",
            patterns=("game_lines_multibook_*.csv*",),
            columns=("game_date", "book", "game", "market", "line", "over_or_away_american",
                     "under_or_home_american", "raw"),
            required=("game_date", "book", "game", "market", "line"),
            not_null=("game_date", "book", "game", "market"),
            dates={"game_date": ISO_DATE},
            numbers=("line", "over_or_away_american", "under_or_home_american"),
        ),
    ]
}
