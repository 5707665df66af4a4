"""Texts of the seller dashboard and operations (/stats, /backup), English."""

CATALOG: dict[str, str] = {
    "ops_cmd_stats": "Business overview with charts",
    "ops_cmd_backup": "Send me a database backup (owners only)",
    "ops_stats_header": "📊 <b>Business overview</b> (as of {at})",
    "ops_stats_groups": "Groups: {active} active, {inactive} inactive",
    "ops_stats_agents": "Agents: {total} in the roster; {new} joined this week (since {since})",
    "ops_stats_modes": "By order mode: {modes}",
    "ops_stats_tiers": "By quality tier: {tiers}",
    "ops_stats_tiers_unavailable": "By quality tier: not available (no quality scores)",
    "ops_stats_broadcasts": "Broadcasts this week (since {since}): {count}; delivered {sent}/{finished}, success rate {rate}, {pending} still pending",
    "ops_stats_broadcasts_unavailable": "Broadcasts this week: not available (no outbox tables)",
    "ops_stats_no_rate": "—",
    "ops_tier_excellent": "excellent",
    "ops_tier_qualified": "qualified",
    "ops_tier_low": "low quality",
    "ops_tier_invalid": "invalid",
    "ops_tier_unscored": "not scored",
    "ops_private_only": "For safety, send /{command} in your private chat with me.",
    "ops_backup_caption": "🗄 Database backup {name} ({size}, integrity check passed). It holds every agent's data; keep it safe.",
    "ops_backup_failed": "❌ Backup failed: {error}",
    "ops_backup_too_big": "The database is {size}, more than the 50 MB Telegram lets a bot send. Run <code>agentbot backup PATH</code> on the server instead.",
}
