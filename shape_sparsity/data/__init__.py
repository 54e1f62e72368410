"The data: ImageNet subsets, stylized sets, Geirhos' cue-conflict stimuli, the tutorials' samples"
