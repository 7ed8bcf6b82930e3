"""profilegen: job profiles for every position of an organisation, from its structure and KPIs."""

__version__ = "0.2.0"
