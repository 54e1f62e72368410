"The shape-texture world: rendering, studies over seeds, the mechanism, and pre-registered plans"
