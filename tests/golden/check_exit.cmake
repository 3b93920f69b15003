# Runs `ECSIM COMMAND SCENARIO` and checks the exit status (EXPECT_RC) and that stderr matches
# EXPECT_STDERR and stdout EXPECT_STDOUT (regular expressions), when given; ARGS (a CMake list)
# follow the scenario.
set(args ${ARGS})
execute_process(COMMAND "${ECSIM}" ${COMMAND} "${SCENARIO}" ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "expected exit status ${EXPECT_RC}, got ${rc}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}':\n${err}")
endif()
if(DEFINED EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(FATAL_ERROR "stdout does not match '${EXPECT_STDOUT}':\n${out}")
endif()
