"""Who and where: names and places recognised in articles, in every language and script."""
