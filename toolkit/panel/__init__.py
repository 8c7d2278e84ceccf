"""The desktop panel: the six jobs of the Excel control panel in a window of its own, no macros needed.

For the offices the Excel buttons cannot serve: WPS Office (xlwings drives Microsoft Excel only),
PCs whose policy blocks macros, files Windows marks as from the internet, a Mac without xlwings'
AppleScript step. Started by ``toolkit panel [FOLDER]`` or by double-clicking the launcher the
toolkit writes beside the workbooks (``客服工具箱.cmd`` on Windows, ``客服工具箱.command`` on a Mac).

- :mod:`toolkit.panel.window` - the Tk/ttk window (``open_panel``);
- :mod:`toolkit.panel.worker` - runs a job off the window's thread, one at a time, through the same
  calls as the Excel buttons and the command line (toolkit.jobs.outcome);
- :mod:`toolkit.panel.launchers` - the double-click files;
- :mod:`toolkit.panel.memory` - the folder remembered per user;
- its settings: ``[panel]`` in toolkit.toml, read with the others (:mod:`toolkit.settings.panel`);
- :mod:`toolkit.panel.fonts`, :mod:`toolkit.panel.opener` - a font for Chinese, opening files with their
  program;
- the ``toolkit panel`` command is :mod:`toolkit.cli.panel`.
"""
