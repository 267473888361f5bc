"""The video platform as a Pulumi program: config model, address plan, components and back ends."""
