"The `shape-sparsity` command line: one subcommand per job"
