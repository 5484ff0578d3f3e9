# References a function nobody defines, twice (reported once per object).
        .text
        .globl _start
_start:
        call missing_function
        call missing_function
        ret
