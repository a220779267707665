"""The command line: the only package that imports typer. Commands parse options, call one core
function, format its result and choose the exit code."""
