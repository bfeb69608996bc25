"""Data sets read by the C++ data layer (nothing is downloaded).

``fashion_mnist(split)`` reads Debian's ``dataset-fashion-mnist``; ``spam_corpus(length)`` reads the
SpamAssassin corpus that ``scripts/install-deps.sh`` installs, tokenised with our tokenizer and a
vocabulary built from its training split. The course's 2-D point sets are ``minitorch.datasets``.
"""
from ._C import fashion_mnist, spam_corpus

__all__ = ["fashion_mnist", "spam_corpus"]
