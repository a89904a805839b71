"""Each Lambda function's work, one module per function (its handler calls into it).

``trading``: TradingSystemFunction, commands only. ``routing``: EventRoutingFunction,
domain events only. Each also declares the health probe its function answers.
"""
