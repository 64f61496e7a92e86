"""The command line: ``clearhold <noun> <verb>``. One module per command group."""
