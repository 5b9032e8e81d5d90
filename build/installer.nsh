; OIDC Desk's NSIS additions: registers the dev.oidcdesk: scheme (RFC 8252 §7.1) for the installing user.
; electron-builder writes `protocols` into macOS Info.plist and the Linux .desktop file, not into the Windows
; registry, so the installer does it here. The command passes the URL as the one argument after `--`:
; "<exe>" -- "%1", so a crafted link can never pose as a switch (CVE-2018-1000006). SHELL_CONTEXT is HKCU
; for the per-user install (nsis.perMachine: false).

!macro customInstall
  DeleteRegKey SHELL_CONTEXT "Software\Classes\dev.oidcdesk"
  WriteRegStr SHELL_CONTEXT "Software\Classes\dev.oidcdesk" "" "URL:OIDC Desk sign-in"
  WriteRegStr SHELL_CONTEXT "Software\Classes\dev.oidcdesk" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\dev.oidcdesk\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\dev.oidcdesk\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" -- "%1"'
!macroend

!macro customUnInstall
  DeleteRegKey SHELL_CONTEXT "Software\Classes\dev.oidcdesk"
!macroend
