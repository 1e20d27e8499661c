#!/usr/bin/env bash
# WordPress (Debian's package, its default theme) on nginx + PHP-FPM (opcache, 2 children)
# + MariaDB (127.0.0.1:3306, root without password), at http://127.0.0.1:8081/, with the
# posts of tests/benchmarks/shapes.py (100 and 1,000 approved comments). Everything lives in
# var/bench-peers/wordpress/; writes urls.json for tests/benchmarks/bench_side_by_side.py.
# The same site with the classic theme Twenty Twenty-One (Debian's
# wordpress-theme-twentytwentyone) answers at http://127.0.0.1:8083/ (nginx passes
# BENCH_THEME, a must-use plugin switches the theme for that request): the default block
# theme renders each comment through blocks, about ten times slower than a classic theme's
# walker, and Dispatch is compared with the faster of the two
# (var/bench-peers/wordpress-classic/urls.json).
set -euo pipefail
ROOT=$1
DIR=$ROOT/var/bench-peers/wordpress
PORT=8081
CLASSIC_PORT=8083
DB=dispatch_bench_wp
PHPV=8.2
mkdir -p "$DIR/logs" "$DIR/run"

need=()
for pkg in wordpress wordpress-theme-twentytwentyone php-fpm php-mysql nginx-light wrk; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi

# A private copy of the code (Debian's wp-config.php reads /etc/wordpress; ours is local).
if [ ! -f "$DIR/www/wp-load.php" ]; then
    mkdir -p "$DIR/www"
    cp -a /usr/share/wordpress/. "$DIR/www/"
fi
if [ ! -d "$DIR/www/wp-content/themes/twentytwentyone" ]; then
    cp -a /usr/share/wordpress/wp-content/themes/twentytwentyone "$DIR/www/wp-content/themes/"
fi
cat > "$DIR/www/wp-config.php" <<PHP
<?php
define('DB_NAME', '$DB');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:3306');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', 'http://127.0.0.1:$PORT');
define('WP_SITEURL', 'http://127.0.0.1:$PORT');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('AUTH_KEY', 'bench'); define('SECURE_AUTH_KEY', 'bench'); define('LOGGED_IN_KEY', 'bench');
define('NONCE_KEY', 'bench'); define('AUTH_SALT', 'bench'); define('SECURE_AUTH_SALT', 'bench');
define('LOGGED_IN_SALT', 'bench'); define('NONCE_SALT', 'bench');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
\$table_prefix = 'wp_';
if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }
require_once ABSPATH . 'wp-settings.php';
PHP
echo '<?php echo "Hello, world";' > "$DIR/www/hello.php"
# Behind a non-default port WordPress's canonical redirect sends ?p=ID back to itself.
mkdir -p "$DIR/www/wp-content/mu-plugins"
echo "<?php remove_action('template_redirect', 'redirect_canonical');" > "$DIR/www/wp-content/mu-plugins/bench.php"
cat > "$DIR/www/wp-content/mu-plugins/bench-theme.php" <<'PHP'
<?php
// The classic-theme server (nginx on CLASSIC_PORT) names the theme for its requests.
if (!empty($_SERVER['BENCH_THEME'])) {
    $bench_theme = preg_replace('/[^a-z]/', '', $_SERVER['BENCH_THEME']);
    add_filter('pre_option_stylesheet', fn() => $bench_theme);
    add_filter('pre_option_template', fn() => $bench_theme);
}
PHP
chown -R www-data:www-data "$DIR/www"

mysql -h 127.0.0.1 -u root -e "CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4"

# Install and seed once (the shapes are the same JSON lines Dispatch seeds from).
if [ ! -f "$DIR/seeded" ]; then
    for n in 100 1000; do (cd "$ROOT" && .venv/bin/python -m tests.benchmarks.shapes $n > "$DIR/shapes-$n.jsonl"); done
    cat > "$DIR/seed.php" <<'PHP'
<?php
// php seed.php DIR: install WordPress (default theme) and add the two shaped posts.
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require $argv[1] . '/www/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    wp_install('Dispatch bench', 'admin', 'admin@example.com', true, '', wp_generate_password());
}
update_option('thread_comments', 1);
update_option('thread_comments_depth', 5);
update_option('page_comments', 0);           // every comment on one page: the full render
update_option('show_avatars', 1);
update_option('permalink_structure', '');    // ?p=ID
$urls = [];
foreach ([100, 1000] as $n) {
    $post = wp_insert_post(['post_title' => "A post with $n comments", 'post_status' => 'publish',
        'post_content' => str_repeat('<p>The river rose above its banks overnight.</p>', 5),
        'post_date' => date('Y-m-d H:i:s', time() - 2 * 86400)]);
    $ids = [];
    $start = time() - 86400;
    foreach (file($argv[1] . "/shapes-$n.jsonl") as $line) {
        $c = json_decode($line, true);
        $ids[$c['i']] = wp_insert_comment([
            'comment_post_ID' => $post, 'comment_author' => $c['name'], 'comment_author_email' => $c['email'],
            'comment_content' => $c['body'], 'comment_approved' => 1,
            'comment_parent' => $c['parent'] === null ? 0 : $ids[$c['parent']],
            'comment_date' => date('Y-m-d H:i:s', $start + $c['i']),
        ]);
    }
    $urls[(string) $n] = "/?p=$post";
}
global $wp_version;
echo json_encode(['base' => 'http://127.0.0.1:8081', '100' => $urls['100'], '1000' => $urls['1000'],
                  'trivial' => '/hello.php', 'version' => "$wp_version (PHP " . PHP_VERSION . ", opcache, nginx, MariaDB)"]);
PHP
    php -d memory_limit=512M "$DIR/seed.php" "$DIR" > "$DIR/urls.json.tmp"
    mv "$DIR/urls.json.tmp" "$DIR/urls.json"
    touch "$DIR/seeded"
fi

# PHP-FPM: 2 children (as Dispatch's 2 gunicorn workers), opcache on.
cat > "$DIR/php-fpm.conf" <<CONF
[global]
pid = $DIR/run/php-fpm.pid
error_log = $DIR/logs/php-fpm.log
daemonize = yes
[bench]
user = www-data
group = www-data
listen = $DIR/run/php-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 2
php_admin_value[opcache.enable] = 1
php_admin_value[opcache.validate_timestamps] = 0
php_admin_value[memory_limit] = 256M
CONF
# One server block per theme: the default on $PORT, the classic one (BENCH_THEME) on $CLASSIC_PORT.
server_block() {  # server_block PORT [EXTRA_FASTCGI_PARAM_LINE]
    cat <<CONF
    server {
        listen 127.0.0.1:$1;
        root $DIR/www;
        index index.php;
        location / { try_files \$uri \$uri/ /index.php?\$args; }
        location ~ \.php\$ {
            include /etc/nginx/fastcgi_params;
            ${2:-}
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_pass unix:$DIR/run/php-fpm.sock;
        }
    }
CONF
}
cat > "$DIR/nginx.conf" <<CONF
user www-data;
worker_processes 2;
pid $DIR/run/nginx.pid;
error_log $DIR/logs/nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $DIR/run/body;
    fastcgi_temp_path $DIR/run/fastcgi;
    proxy_temp_path $DIR/run/proxy;
    uwsgi_temp_path $DIR/run/uwsgi;
    scgi_temp_path $DIR/run/scgi;
$(server_block "$PORT")
$(server_block "$CLASSIC_PORT" "fastcgi_param BENCH_THEME twentytwentyone;")
}
CONF
# The classic-theme peer: the same posts and server, its own base and version string.
mkdir -p "$ROOT/var/bench-peers/wordpress-classic"
python3 - "$DIR/urls.json" "$ROOT/var/bench-peers/wordpress-classic/urls.json" "$CLASSIC_PORT" <<'PY'
import json, sys
urls = json.load(open(sys.argv[1]))
urls["base"] = f"http://127.0.0.1:{sys.argv[3]}"
urls["version"] = urls["version"].replace("(PHP", "(classic theme Twenty Twenty-One, PHP")
json.dump(urls, open(sys.argv[2], "w"))
PY
chmod o+x "$ROOT/var" "$ROOT/var/bench-peers" "$DIR" 2>/dev/null || true
if [ -f "$DIR/run/php-fpm.pid" ] && kill -0 "$(cat "$DIR/run/php-fpm.pid")" 2>/dev/null; then
    kill "$(cat "$DIR/run/php-fpm.pid")"; sleep 1
fi
php-fpm$PHPV -y "$DIR/php-fpm.conf"
if [ -f "$DIR/run/nginx.pid" ] && kill -0 "$(cat "$DIR/run/nginx.pid")" 2>/dev/null; then
    nginx -c "$DIR/nginx.conf" -s reload
else
    nginx -c "$DIR/nginx.conf"
fi
sleep 1
curl -fsS "http://127.0.0.1:$PORT/hello.php" >/dev/null && echo "WordPress ready at http://127.0.0.1:$PORT/ ($DIR/urls.json)"
curl -fsS "http://127.0.0.1:$CLASSIC_PORT/hello.php" >/dev/null && echo "WordPress (classic theme) ready at http://127.0.0.1:$CLASSIC_PORT/"
