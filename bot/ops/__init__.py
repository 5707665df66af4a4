"""Running the bot: the /stats figures and chart, backups and the operator's command-line tools."""
