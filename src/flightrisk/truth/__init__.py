"""The tool against the simulator's truth: explanations, what-ifs and plans checked against known causes."""
