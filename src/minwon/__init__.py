"""minwon: the platform for Korean local governments and the citizens they serve."""
