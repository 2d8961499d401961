"""The retention plan: which action for whom, under a budget, valued in kronor."""
