from tierdesk.common.roles import ANY_USER

READERS = ANY_USER
