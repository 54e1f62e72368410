"Texture synthesis from Top-K and non-Top-K neurons, and its study"
