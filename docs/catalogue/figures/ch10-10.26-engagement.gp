# made by workbook; re-plot with: gnuplot -p <this file>
set title 'What the models read' noenhanced
set xlabel 'your features + time (with --full: beside the item-only model and integer positions)' noenhanced
set ylabel 'fraction of rows' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 0.9883313886
EOD
$s1 << EOD
1 0.2109375
EOD
plot $s0 using 1:2 with points pt 7 ps 1.1 title 'after a save or share: same category predicted', \
    $s1 using 1:2 with points pt 7 ps 1.1 title 'planted targets predicted'
