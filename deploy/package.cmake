# install() rules and the Debian package: `cpack -G DEB` in a build tree writes mab_<version>_<arch>.deb
# with the daemon (the dashboard is compiled into it), mabctl, the reference adapters,
# mab-synth, the systemd unit, the sysusers file and the example configuration.
# Included by the top-level CMakeLists.txt after daemon/ and adapters/, so the targets exist.
# tests/deploy/package_test.sh builds, lists, unpacks and checks the package.

include(GNUInstallDirs)

# `cpack` installs what is already built; it must not first build everything (the test suite
# included) behind the caller's back. deploy/build builds everything before the package test.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(MAB_PROGRAMS mabd mabctl mab-school mab-police mab-health mab-housing mab-synth)
install(TARGETS ${MAB_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Unit and sysusers paths are fixed by systemd, not by the install prefix's conventions. With
# the package's prefix /usr they land in /usr/lib/..., where Debian 12 (merged /usr) looks.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/mabd.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/mab.sysusers.conf
        DESTINATION lib/sysusers.d RENAME mab.conf)

# Nothing goes to /etc: a safeguarding broker must not start on a configuration nobody wrote.
# The example is a template to copy (share/mab) and documentation (share/doc/mab).
install(FILES ${PROJECT_SOURCE_DIR}/deploy/mabd.example.toml
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/mab)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/mabd.example.toml ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mab)
set(CPACK_PACKAGE_VENDOR "mab")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "mab maintainers <mab@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Multi-Agency Broker: signed safeguarding notifications between agencies")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "mabd routes signed safeguarding notifications about children between schools, police,\n\
health, housing and children's social care: it authenticates adapters (CurveZMQ), verifies\n\
Ed25519 signatures, stores before it answers, delivers with retries, keeps a ledger of\n\
obligations, flags and cross-border record transfers, a tamper-evident audit trail, and an\n\
operator HTTPS API and dashboard. Includes mabctl, the reference adapters (mab-school,\n\
mab-police, mab-health, mab-housing), mab-synth and a hardened systemd unit.")
set(CPACK_DEBIAN_PACKAGE_NAME mab)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "file:///usr/share/doc/mab/README.md")
# Release binaries for servers; debug information stays in the build tree.
set(CPACK_STRIP_FILES ON)

# Depends: computed from the binaries' shared libraries when dpkg-shlibdeps (dpkg-dev, pulled
# in by build-essential) is here, else the Debian 12 packages they link, listed by hand.
find_program(MAB_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(MAB_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libstdc++6, libgcc-s1, libzmq5, libprotobuf32, libssl3, libsqlite3-0, libspdlog1.10-fmt9, libfmt9, libtomlplusplus3")
endif()
# The unit and postinst use these when present; neither is required to install the files.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")

# Maintainer scripts: create the user and folders, daemon-reload; see each file's comment.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/systemd/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/systemd/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/systemd/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
