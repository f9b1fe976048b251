"""The embedded AWS emulator: a moto server in this process (:mod:`.server`) and the shims
(:mod:`.shims`) that make it do what AWS does where moto differs, each citing AWS."""
