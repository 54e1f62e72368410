"The few-shot GAN (FastGAN) with Top-K: models, data, metrics, training step and loop"
