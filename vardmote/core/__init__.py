"""What every part of vardmote stands on: one-line problems, YAML with line numbers, strict models,
files written whole, the project's folders and the ansible-runner front."""
