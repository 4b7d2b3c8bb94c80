#!/bin/bash
# Runs once, when the MariaDB container initialises its data: one database and one user per share node, so that a
# node's credentials open only that node.
set -euo pipefail
for ((i = 1; i <= ${SHARE_NODES:-5}; i++)); do
  mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS ehr_node_$i CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'ehrnode$i'@'%' IDENTIFIED BY '$SHARE_NODE_PASSWORD-$i';
GRANT ALL PRIVILEGES ON \`ehr_node_$i\`.* TO 'ehrnode$i'@'%';
SQL
done
