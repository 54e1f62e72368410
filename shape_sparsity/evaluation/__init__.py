"Shape bias: the metric, pretrained networks on cue-conflict images, and the k sweep"
