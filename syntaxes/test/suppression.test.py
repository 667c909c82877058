# SYNTAX TEST "source.python" "gradls suppression comments"

y = np.sum(t)  # gradls: ignore[TFG001]
#                ^^^^^^ comment.line.number-sign.python keyword.other.directive.gradls
#                      ^ punctuation.separator.key-value.gradls
#                        ^^^^^^ keyword.other.directive.ignore.gradls
#                              ^ punctuation.definition.list.begin.gradls
#                               ^^^^^^ meta.rule-codes.gradls constant.other.rule-code.gradls
#                                     ^ punctuation.definition.list.end.gradls

y = np.sum(t)  # gradls: ignore[TFG001, TFG003]
#                               ^^^^^^ constant.other.rule-code.gradls
#                                     ^ punctuation.separator.comma.gradls
#                                       ^^^^^^ constant.other.rule-code.gradls

y = np.sum(t)  # gradls: ignore
#                ^^^^^^ keyword.other.directive.gradls
#                        ^^^^^^ keyword.other.directive.ignore.gradls

# gradls: ignore-file
# ^^^^^^ keyword.other.directive.gradls
#         ^^^^^^^^^^^ keyword.other.directive.ignore.gradls

y = np.sum(t)  # noqa: TFG001
#                ^^^^ keyword.other.directive.noqa.gradls
#                    ^ punctuation.separator.key-value.gradls
#                      ^^^^^^ constant.other.rule-code.gradls

y = np.sum(t)  # noqa: TFG001, TFG004
#                              ^^^^^^ constant.other.rule-code.gradls

y = np.sum(t)  # noqa
#                ^^^^ keyword.other.directive.noqa.gradls

y = np.sum(t)  # explain why  # gradls: ignore[TFG001]
#                               ^^^^^^ keyword.other.directive.gradls
#                                              ^^^^^^ constant.other.rule-code.gradls

y = np.sum(t)  #gradls:ignore[tfg001]
#               ^^^^^^ keyword.other.directive.gradls
#                      ^^^^^^ keyword.other.directive.ignore.gradls
#                             ^^^^^^ constant.other.rule-code.gradls

# a comment that mentions gradls and noqa in prose
#                         ^^^^^^ - keyword.other.directive.gradls
#                                    ^^^^ - keyword.other.directive.noqa.gradls

s = "# gradls: ignore[TFG001]"
#      ^^^^^^ string.quoted.single.python - keyword.other.directive.gradls

# gradls: ignored
#         ^^^^^^^ - keyword.other.directive.ignore.gradls

y = f(t)  # type: ignore  # gradls: ignore[TFG001]
#                           ^^^^^^ keyword.other.directive.gradls
#                                          ^^^^^^ constant.other.rule-code.gradls
