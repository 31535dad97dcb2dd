"""The course build: tooling for instructors and CI, apart from the student library.

Notebooks never import it; nothing outside this package does either (a test checks the import
graph). Its third-party dependencies (jupytext, nbclient, nbconvert, nbformat) are the ``build``
extra, which ``make`` installs.

Modules:
    cli           ``python -m dlcourse <command>`` (doctor, notebooks, check-notebooks, student,
                  core, slides, bench, budget)
    pipeline      percent ``.py`` source -> executed ``.ipynb``, and the pairing check
    editions      the student edition (no solutions) and the core variant (no deep dives)
    slides        offline reveal.js decks, rendered notebooks and the index (vendored ``assets/``)
    budget        lecture slides and core minutes per notebook, counted from the sources
    bench         wall time and peak memory of each notebook against its floor
    bench_engine  the scratch engine against PyTorch on one training step
    outputs       safe output folders and files (checked first, marker file, nothing foreign lost)
    errors        the errors the command line prints as one ✗ line
"""
