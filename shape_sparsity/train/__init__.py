"Training with the paper's recipe: the learner, checkpoints, resume, and the Table 1 grid"
