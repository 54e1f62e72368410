"The run machinery: identities, fingerprints and locks (core); seeds per epoch, checkpoints and resume (checkpoints)"
